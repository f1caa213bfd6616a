"""Accounts: registration, email confirmation, login and sessions, password reset."""
