CREATE TABLE "cart_reminders" (
	"user_id" text PRIMARY KEY NOT NULL,
	"cart_updated_at" timestamp with time zone NOT NULL,
	"cart_version" bigint NOT NULL,
	"reminded_at" timestamp with time zone DEFAULT now() NOT NULL
);
