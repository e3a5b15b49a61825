"""Pure logic of the criteria service: no database, no transport."""
