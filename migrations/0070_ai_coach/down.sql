DROP TABLE coaching_rate_limits;
DROP TABLE question_coaching_sessions;
