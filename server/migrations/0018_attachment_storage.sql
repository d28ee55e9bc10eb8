-- Files are sent a piece at a time (`substring` of 256 KiB per read). Stored uncompressed, a
-- piece reads only its own pages; compressed, every piece would decompress the whole file.
-- Kinds already compressed (JPG, PNG, DOCX, most PDFs) gained little from it.
ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;
