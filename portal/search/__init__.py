"""Full-text search of the portal (Whoosh)."""
