-- A few rows as a home of commit 983b550 held them (portable SQL: SQLite and PostgreSQL).
INSERT INTO advisors (id, name, wecom_userid, token_hash) VALUES ('A001', '王经理', 'wang.jl', 'aaaa1111');
INSERT INTO advisors (id, name, wecom_userid, token_hash) VALUES ('A002', '李经理', NULL, NULL);
INSERT INTO customers (id, advisor_id, full_name, id_number, phone, card_number, gender, birth_date, city, occupation, tier, risk_level, risk_assessed_at, marketing_consent, note, updated_at)
  VALUES ('C00001', 'A001', '张三', '110101196001011234', '13912345678', NULL, '男', '1960-01-01', '北京', '退休教师', '金卡', 'C2', '2026-06-01', TRUE, '偏好稳健', '2026-11-30 10:00:00.000000');
INSERT INTO customers (id, advisor_id, full_name, id_number, phone, card_number, gender, birth_date, city, occupation, tier, risk_level, risk_assessed_at, marketing_consent, note, updated_at)
  VALUES ('C00002', 'A002', '李四', '310101198505051238', '13812345678', NULL, '女', '1985-05-05', '上海', '工程师', '普卡', NULL, NULL, FALSE, NULL, '2026-11-30 10:00:00.000000');
INSERT INTO customer_tags (customer_id, layer, key, value, source, updated_at)
  VALUES ('C00001', 'preference', 'risk_preference', '稳健', 'import', '2026-11-30 10:00:00.000000');
INSERT INTO customer_holdings (customer_id, product_id, product_name, amount_band, start_date, maturity_date)
  VALUES ('C00001', 'W001', '稳盈一号', '50-100万', '2026-01-01', '2026-12-31');
INSERT INTO customer_events (customer_id, kind, event_date, detail) VALUES ('C00001', 'maturity', '2026-12-31', '理财到期');
INSERT INTO chat_sessions (id, advisor_id, customer_id, title, created_at, updated_at)
  VALUES ('s1', 'A001', 'C00001', '到期续接', '2026-11-30 10:00:00.000000', '2026-11-30 10:05:00.000000');
INSERT INTO chat_messages (session_id, role, content, citations, created_at)
  VALUES ('s1', 'user', '客户理财快到期了怎么沟通？', '[]', '2026-11-30 10:00:00.000000');
INSERT INTO compliance_audit (created_at, advisor_id, customer_id, channel, source, verdict, rule_ids, text_sha256, text_length, rulebook_version)
  VALUES ('2026-11-30 10:00:00.000000', 'A001', 'C00001', 'tablet', 'chat', 'pass', '', 'abc', 12, 'v1');
INSERT INTO wecom_inbox (key_hash, msg_type, status, received_at, finished_at)
  VALUES ('k1', 'text', 'answered', '2026-11-30 10:00:00.000000', '2026-11-30 10:00:01.000000');
INSERT INTO campaign_jobs (id, advisor_id, product_id, segment, customer_ids, channel, variants, "limit", status, total, processed, summary, error, out_path, created_at, updated_at)
  VALUES ('j1', 'A001', 'W001', 'all', NULL, 'wecom', 1, NULL, 'done', 2, 2, '{"rows": 2}', NULL, 'campaigns/j1.jsonl', '2026-11-30 10:00:00.000000', '2026-11-30 10:01:00.000000');
