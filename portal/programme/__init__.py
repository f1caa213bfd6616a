"""The programme of a meeting and its High-Level Track: sessions and slots, invitations to deliver a policy
statement, requests, scheduling, publication, iCalendar, statement texts and their compendium."""
