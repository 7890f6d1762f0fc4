-- 0011 end-to-end encrypted payloads (protocol §16): wrapped data keys and the public keys
-- they are wrapped for. The server never holds a data key: each row of colony_keys is one
-- version of the colony's key sealed for one member's public key (ECIES), by the colony
-- owner's client.

-- The public key the server recovered from a member's own signature (getcolonykeysmsg), so
-- the owner's client can wrap keys for it: nobody uploads a key.
CREATE TABLE member_public_keys (
    colony_name TEXT NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    -- 130 hex characters: 04 ‖ X ‖ Y.
    public_key  TEXT NOT NULL,
    PRIMARY KEY (colony_name, member_id)
);

CREATE TABLE colony_keys (
    colony_name TEXT    NOT NULL REFERENCES colonies (name) ON DELETE CASCADE,
    version     INTEGER NOT NULL CHECK (version > 0),
    member_id   TEXT    NOT NULL,
    -- cw1:<version>:<base64>
    wrapped     TEXT    NOT NULL,
    PRIMARY KEY (colony_name, version, member_id)
);
-- A member's keys, and a colony's newest version.
CREATE INDEX colony_keys_member ON colony_keys (colony_name, member_id);
