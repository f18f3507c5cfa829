DROP TABLE job_run;
