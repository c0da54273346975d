"""The advisor's day: ranked opportunities, issued scripts, outcomes, the A/B report, the bandit."""
