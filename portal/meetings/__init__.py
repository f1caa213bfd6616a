"""Meetings, their deadlines, and the action lines."""
