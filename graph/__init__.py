"""whosaid: a who-said-what knowledge graph of news reporting.

The package builds the graph from the curated corpus (corpus.py -> rdf.py), keeps it in a store
(store.py), validates it with SHACL (validate.py) and answers questions about it (queries/).
"""

__version__ = "0.1.0"
