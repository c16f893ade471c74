"""Post-appointment performance reports: plans, schedules, votes, rectification, coverage."""
