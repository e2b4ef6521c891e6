"""The command line: one typer file per command group, thin over the library."""
