CREATE FUNCTION zhifa_records_append_only() RETURNS trigger LANGUAGE plpgsql AS
'BEGIN RAISE EXCEPTION ''REC-2: records are append-only; % refused'', TG_OP; END';
CREATE TRIGGER records_no_update_delete BEFORE UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION zhifa_records_append_only();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION zhifa_records_append_only();
