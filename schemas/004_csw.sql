-- 004_csw.sql — what the CSW server needs from the index.
--
-- index_generation: one row whose counter moves whenever what a search can
-- see may have changed (any statement on entry, which every record change,
-- retirement and revival goes through, or on source).  The server keys its
-- cache of exact counts and its page cursors by (query, generation): a count
-- cached for an older generation is never served.  The bump is one
-- statement-level trigger per statement, not per row.

CREATE TABLE index_generation (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n bigint NOT NULL
);
INSERT INTO index_generation (one, n) VALUES (true, 1);

CREATE FUNCTION index_generation_bump() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE index_generation SET n = n + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER entry_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION index_generation_bump();
CREATE TRIGGER source_generation AFTER UPDATE OR DELETE ON source
    FOR EACH STATEMENT EXECUTE FUNCTION index_generation_bump();
