-- Who may read a note in a spot's history: the staff (every note so far, and the default) or the public too.
-- Notes are written by staff about unverified places and people; only one a writer marks public leaves them.
ALTER TABLE spot_event
    ADD COLUMN visibility text NOT NULL DEFAULT 'staff' CHECK (visibility IN ('staff', 'public'));
