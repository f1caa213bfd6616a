"""The secretariat's moderation: the queue, decisions, document numbers, official documents."""
