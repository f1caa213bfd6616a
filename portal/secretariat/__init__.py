"""The secretariat's pages for organisations, membership requests and accounts."""
