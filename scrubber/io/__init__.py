"""Reading and writing data: file systems, the reader and writer registries, and publishing a run."""
