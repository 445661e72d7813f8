"""The demo data set by area, one module each; ``duijie.demo.generator`` runs them in order."""
