DROP TABLE processed_event;
