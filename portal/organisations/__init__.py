"""Organisations: public pages, and membership decisions by focal points."""
