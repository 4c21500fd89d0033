-- Search text and reference-data ids and labels in Unicode normalization
-- form C (decision 35 as amended, tester report 35).
--
-- `é` may be stored as one character or as `e` and a combining accent
-- (NFD, as macOS saves names): the two look the same and are the same
-- text, but folding was lowercase alone, so a name stored in one form was
-- not found by a query typed in the other. Both sides now fold to NFC
-- (`fold::fold`, and `eacdesk_fold()` for SQL); the text stored by older
-- versions is folded again here. Folding folded text again gives its NFC
-- form; only rows whose text changes are written.
UPDATE eac_search SET text = eacdesk_fold(text) WHERE text <> eacdesk_fold(text);
UPDATE refdata
   SET ref_id_folded = eacdesk_fold(ref_id),
       label_folded = eacdesk_fold(label)
 WHERE ref_id_folded <> eacdesk_fold(ref_id) OR label_folded <> eacdesk_fold(label);
