-- The server login in every audit record, as the file's step 0027 adds the
-- column (tester report 42, finding 2). `os_user` and `display_name` are
-- what the writing desk says of itself (its environment's `USER`, its
-- settings); `server_login` is the login this server authenticated the
-- writing connection as, `session_user`, which no client can change
-- (`SET ROLE` changes `current_user`; `SET SESSION AUTHORIZATION` is a
-- superuser's).
--
-- EAC Desk writes the value with the record, because the record's hash
-- covers it (the chain is computed by the writing desk); the trigger below
-- refuses a record that names any other login, or none, so a record in
-- this table names the login that wrote it. Records written before this
-- step (and records copied from a file, where the trigger is off like every
-- trigger during `eacdesk copy`) keep NULL.
ALTER TABLE audit_log ADD COLUMN server_login text;

CREATE FUNCTION eacdesk_audit_server_login() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.server_login IS DISTINCT FROM session_user::text THEN
        RAISE EXCEPTION 'an audit record written on this server must name the login that writes it (%), not %',
            session_user::text,
            coalesce('"' || NEW.server_login || '"', 'none')
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_server_login BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION eacdesk_audit_server_login();

UPDATE eacdesk_schema SET version = 27;
