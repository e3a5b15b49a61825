"""The criteria service: rule editions, evaluations, checklists and summaries."""
