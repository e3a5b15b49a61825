"""Gathering: information requests to agencies, their versioned returns and the collated picture."""
