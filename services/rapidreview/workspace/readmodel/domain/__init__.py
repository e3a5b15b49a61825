"""The read model's domain logic: stages, next steps and clock states. Pure:
no database, no transport; calendar and "today" are passed in."""
