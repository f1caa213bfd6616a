"""Contributions: submission, files, revisions, language versions, withdrawal, public pages."""
