CREATE TABLE `invitations` (
	`email` text PRIMARY KEY NOT NULL,
	`invited_at` integer NOT NULL,
	`invited_by` text,
	`accepted_at` integer
);
--> statement-breakpoint
CREATE TABLE `user_roles` (
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`granted_at` integer NOT NULL,
	`granted_by` text,
	PRIMARY KEY(`user_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
