"""Built-in problem families, one module each; importing a module registers its family."""
