DROP TABLE feedback_tag_link;
DROP TABLE feedback_tag;
DROP TABLE feedback_comment;
DROP TABLE feedback_attachment;
DROP TABLE feedback;
