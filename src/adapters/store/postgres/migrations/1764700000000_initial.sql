-- Up Migration
-- The PostgreSQL store (see postgres-store.ts). A publisher's aggregate stays one JSON document,
-- as in the embedded store, so one update is one row; lookups the bot needs per turn get index
-- tables kept in the same transaction as the document.

CREATE TABLE publishers (
  id         text PRIMARY KEY,
  doc        jsonb NOT NULL,
  version    integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- tenant|user → publisher, rebuilt with the document whenever its users or tenants change
CREATE TABLE publisher_users (
  tenant_id     text NOT NULL,
  aad_object_id text NOT NULL,
  publisher_id  text NOT NULL REFERENCES publishers (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, aad_object_id, publisher_id)
);
CREATE INDEX publisher_users_publisher ON publisher_users (publisher_id);

CREATE TABLE offers (
  offer_id     text PRIMARY KEY,
  publisher_id text NOT NULL REFERENCES publishers (id) ON DELETE CASCADE
);
CREATE INDEX offers_publisher ON offers (publisher_id);

-- ticket number → publisher (the ticket itself lives in its publisher's document)
CREATE SEQUENCE ticket_number START WITH 1001 MINVALUE 1001;
CREATE TABLE tickets (
  id           text PRIMARY KEY,
  publisher_id text NOT NULL REFERENCES publishers (id) ON DELETE CASCADE
);
CREATE INDEX tickets_publisher ON tickets (publisher_id);

-- the ledger: last version of a transaction id per publisher; seq keeps first-seen order
CREATE TABLE transactions (
  publisher_id text NOT NULL REFERENCES publishers (id) ON DELETE CASCADE,
  id           text NOT NULL,
  seq          bigserial NOT NULL,
  doc          jsonb NOT NULL,
  PRIMARY KEY (publisher_id, id)
);

CREATE TABLE staff (
  tenant_id     text NOT NULL,
  aad_object_id text NOT NULL,
  seq           bigserial NOT NULL,
  doc           jsonb NOT NULL,
  PRIMARY KEY (tenant_id, aad_object_id)
);

CREATE TABLE conversations (
  key        text PRIMARY KEY,
  reference  jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE kv (
  key   text PRIMARY KEY,
  value jsonb NOT NULL,
  etag  text NOT NULL
);

CREATE TABLE audit (
  seq          bigserial PRIMARY KEY,
  publisher_id text,
  entry        jsonb NOT NULL
);
CREATE INDEX audit_publisher ON audit (publisher_id, seq);

CREATE TABLE outbox (
  id              text PRIMARY KEY,
  seq             bigserial NOT NULL UNIQUE,
  idempotency_key text NOT NULL UNIQUE,
  conversation_key text NOT NULL,
  tenant_id       text,
  payload         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unreachable', 'cancelled')),
  due_at          timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  claimed_by      text,
  -- when the current claim was taken: a 'sending' item whose lease ran out is claimed again
  claimed_at      timestamptz,
  activity_id     text
);
-- claims walk only what is still to send, oldest first
CREATE INDEX outbox_pending ON outbox (seq) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_status ON outbox (status, seq);

-- Down Migration
DROP TABLE outbox, audit, kv, conversations, staff, transactions, tickets, offers, publisher_users, publishers;
DROP SEQUENCE ticket_number;
