-- Hand-fixed after drizzle-kit generate: it copied a `source` column the old table does not have; every
-- existing grant is an operator's ('admin').
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_user_roles` (
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`granted_at` integer NOT NULL,
	`granted_by` text,
	`source` text DEFAULT 'admin' NOT NULL,
	PRIMARY KEY(`user_id`, `role`, `source`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_user_roles`("user_id", "role", "granted_at", "granted_by", "source") SELECT "user_id", "role", "granted_at", "granted_by", 'admin' FROM `user_roles`;--> statement-breakpoint
DROP TABLE `user_roles`;--> statement-breakpoint
ALTER TABLE `__new_user_roles` RENAME TO `user_roles`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled_source` text;