"""Customer imports from CSV and XLSX: reading files, mapping columns, running jobs in batches."""
