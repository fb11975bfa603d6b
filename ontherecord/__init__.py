"""On the Record: a searchable, citable public archive of recorded bargaining sessions."""
