"""Reference solutions, one module per notebook. ``check.NAME.solution()`` prints one."""
