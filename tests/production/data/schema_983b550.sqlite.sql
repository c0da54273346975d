-- The schema create_all made at commit 983b550 (before migrations), SQLite dialect.
CREATE TABLE advisors (
	id VARCHAR(16) NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	wecom_userid VARCHAR(64), 
	token_hash VARCHAR(64), 
	PRIMARY KEY (id), 
	UNIQUE (wecom_userid), 
	UNIQUE (token_hash)
);

CREATE TABLE campaign_jobs (
	id VARCHAR(32) NOT NULL, 
	advisor_id VARCHAR(16) NOT NULL, 
	product_id VARCHAR(16) NOT NULL, 
	segment TEXT, 
	customer_ids JSON, 
	channel VARCHAR(16) NOT NULL, 
	variants INTEGER NOT NULL, 
	"limit" INTEGER, 
	status VARCHAR(16) NOT NULL, 
	total INTEGER, 
	processed INTEGER NOT NULL, 
	summary JSON, 
	error TEXT, 
	out_path TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_campaign_jobs_advisor_id ON campaign_jobs (advisor_id);

CREATE TABLE chat_sessions (
	id VARCHAR(32) NOT NULL, 
	advisor_id VARCHAR(16) NOT NULL, 
	customer_id VARCHAR(32), 
	title VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_chat_sessions_advisor_id ON chat_sessions (advisor_id);

CREATE INDEX ix_chat_sessions_updated_at ON chat_sessions (updated_at);

CREATE TABLE compliance_audit (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	advisor_id VARCHAR(32), 
	customer_id VARCHAR(32), 
	channel VARCHAR(16), 
	source VARCHAR(32) NOT NULL, 
	verdict VARCHAR(8) NOT NULL, 
	rule_ids TEXT NOT NULL, 
	text_sha256 VARCHAR(64) NOT NULL, 
	text_length INTEGER NOT NULL, 
	rulebook_version VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_compliance_audit_advisor_id ON compliance_audit (advisor_id);

CREATE INDEX ix_compliance_audit_created_at ON compliance_audit (created_at);

CREATE INDEX ix_compliance_audit_customer_id ON compliance_audit (customer_id);

CREATE INDEX ix_compliance_audit_verdict ON compliance_audit (verdict);

CREATE TABLE wecom_inbox (
	key_hash VARCHAR(64) NOT NULL, 
	msg_type VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	received_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	PRIMARY KEY (key_hash)
);

CREATE INDEX ix_wecom_inbox_received_at ON wecom_inbox (received_at);

CREATE TABLE chat_messages (
	id INTEGER NOT NULL, 
	session_id VARCHAR(32) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	citations JSON, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES chat_sessions (id) ON DELETE CASCADE
);

CREATE INDEX ix_chat_messages_session_id ON chat_messages (session_id);

CREATE TABLE customers (
	id VARCHAR(32) NOT NULL, 
	advisor_id VARCHAR(16) NOT NULL, 
	full_name VARCHAR(64) NOT NULL, 
	id_number VARCHAR(18) NOT NULL, 
	phone VARCHAR(20) NOT NULL, 
	card_number VARCHAR(19), 
	gender VARCHAR(2) NOT NULL, 
	birth_date DATE NOT NULL, 
	city VARCHAR(32) NOT NULL, 
	occupation VARCHAR(64) NOT NULL, 
	tier VARCHAR(8) NOT NULL, 
	risk_level VARCHAR(2), 
	risk_assessed_at DATE, 
	marketing_consent BOOLEAN NOT NULL, 
	note TEXT, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(advisor_id) REFERENCES advisors (id)
);

CREATE INDEX ix_customers_advisor_id ON customers (advisor_id);

CREATE TABLE customer_events (
	id INTEGER NOT NULL, 
	customer_id VARCHAR(32) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	event_date DATE NOT NULL, 
	detail VARCHAR(256) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_customer_events_customer_id ON customer_events (customer_id);

CREATE INDEX ix_customer_events_event_date ON customer_events (event_date);

CREATE TABLE customer_holdings (
	id INTEGER NOT NULL, 
	customer_id VARCHAR(32) NOT NULL, 
	product_id VARCHAR(16) NOT NULL, 
	product_name VARCHAR(128) NOT NULL, 
	amount_band VARCHAR(32) NOT NULL, 
	start_date DATE, 
	maturity_date DATE, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_customer_holdings_customer_id ON customer_holdings (customer_id);

CREATE INDEX ix_customer_holdings_product_id ON customer_holdings (product_id);

CREATE TABLE customer_tags (
	id INTEGER NOT NULL, 
	customer_id VARCHAR(32) NOT NULL, 
	layer VARCHAR(16) NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR(128) NOT NULL, 
	source VARCHAR(64) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_customer_tag UNIQUE (customer_id, layer, "key", value), 
	FOREIGN KEY(customer_id) REFERENCES customers (id) ON DELETE CASCADE
);

CREATE INDEX ix_customer_tags_customer_id ON customer_tags (customer_id);

CREATE INDEX ix_customer_tags_layer_key_value ON customer_tags (layer, "key", value);

