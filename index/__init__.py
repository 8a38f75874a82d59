"""Documents → chunks → vectors: reading, chunking, embedding and storing the reports."""
