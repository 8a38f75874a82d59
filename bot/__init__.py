"""Questions → answers: retrieval, prompting, generation, citations and figure verification."""
