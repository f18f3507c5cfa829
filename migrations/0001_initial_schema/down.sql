DROP TABLE magic_link_token;
DROP TABLE payment;
DROP TABLE media_asset;
DROP TABLE answer;
DROP TABLE question;
DROP TABLE expert_profile;
DROP TABLE "user";
