-- A run that a stopping process could not finish within its grace period is recorded as
-- 'interrupted' (its lock released); the next run of the job redoes the work.
ALTER TABLE job_runs DROP CONSTRAINT job_runs_status_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'interrupted'));
