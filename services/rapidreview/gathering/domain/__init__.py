"""Pure gathering logic: validation, request clocks, evidence references and collation."""
