-- A second database in the same PostgreSQL for the case records;
-- the Temporal server creates and migrates its own databases itself.
CREATE DATABASE welcome_center;
