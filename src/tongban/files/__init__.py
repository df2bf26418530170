"""Files (文件): uploaded blobs with their metadata, read access and thumbnails."""
