CREATE TABLE "book_categories" (
	"book_id" text NOT NULL,
	"category_id" text NOT NULL,
	CONSTRAINT "book_categories_book_id_category_id_pk" PRIMARY KEY("book_id","category_id")
);
--> statement-breakpoint
CREATE TABLE "books" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"author" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price_cents" integer NOT NULL,
	"stock" integer DEFAULT 0 NOT NULL,
	"published_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "books_price_check" CHECK ("books"."price_cents" >= 0),
	CONSTRAINT "books_stock_check" CHECK ("books"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"book_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "book_categories" ADD CONSTRAINT "book_categories_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "book_categories" ADD CONSTRAINT "book_categories_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "book_categories_category_idx" ON "book_categories" USING btree ("category_id","book_id");--> statement-breakpoint
CREATE INDEX "books_search_idx" ON "books" USING gin ((setweight(to_tsvector('english', "books"."title"), 'A') || setweight(to_tsvector('english', "books"."author"), 'B') || setweight(to_tsvector('english', "books"."description"), 'C')));--> statement-breakpoint
CREATE INDEX "books_author_idx" ON "books" USING btree (lower("author"));--> statement-breakpoint
CREATE INDEX "books_price_idx" ON "books" USING btree ("price_cents","id");--> statement-breakpoint
CREATE INDEX "books_title_idx" ON "books" USING btree ("title","id");--> statement-breakpoint
CREATE INDEX "catalog_outbox_pending_idx" ON "catalog_outbox" USING btree ("id") WHERE "catalog_outbox"."published_at" is null;