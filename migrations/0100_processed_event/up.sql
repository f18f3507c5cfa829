-- Each provider event (Stripe's evt_… id, or the simulated provider's) once it was handled:
-- a redelivery of the same event id is answered at once and changes nothing. No personal data:
-- ids, the event type and whether it changed a row.
CREATE TABLE processed_event (
  provider text NOT NULL CHECK (provider IN ('simulated', 'stripe')),
  event_id text NOT NULL CHECK (char_length(event_id) <= 255),
  type text NOT NULL CHECK (char_length(type) <= 100),
  applied boolean NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);
