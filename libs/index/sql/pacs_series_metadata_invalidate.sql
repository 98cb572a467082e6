-- Any change to an instance removes the cached metadata of its series (series_metadata). The
-- series row is locked first; a cache build holds it FOR SHARE, so a build never writes a body
-- that misses a concurrent change.
CREATE OR REPLACE FUNCTION pacs_series_metadata_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM series WHERE id = OLD.series_pk FOR NO KEY UPDATE;
    DELETE FROM series_metadata WHERE series_pk = OLD.series_pk;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM 1 FROM series WHERE id = NEW.series_pk FOR NO KEY UPDATE;
    DELETE FROM series_metadata WHERE series_pk = NEW.series_pk;
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER instances_series_metadata_invalidate
AFTER INSERT OR UPDATE OR DELETE ON instances
FOR EACH ROW EXECUTE FUNCTION pacs_series_metadata_invalidate();
