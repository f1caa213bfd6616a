"""Delegation registration for meetings: who comes, heads of delegation, gender balance, visa support
letters, the secretariat's decisions, summaries and exports for badges."""
