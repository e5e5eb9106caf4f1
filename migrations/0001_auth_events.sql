CREATE TABLE `auth_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`session_id` text,
	`kind` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	`ip` text,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `auth_events_user_id_created_at` ON `auth_events` (`user_id`,`created_at`);