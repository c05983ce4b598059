-- The form a personal access token was made with: each rendering carries a random key. The
-- secret is shown once, in the answer to the sending that made the token; a double click or a
-- retried request is answered by a new token that replaces (revokes) the one whose secret no
-- one saw, so that no live token is left unknown to its owner.
ALTER TABLE api_tokens ADD COLUMN request_key TEXT;
CREATE INDEX api_tokens_request_key ON api_tokens(user_id, request_key)
    WHERE request_key IS NOT NULL;
