-- Model names reported by agents that price as another, priced model: "mistral-large"
-- reported, "mistral-large-latest" priced. Platform-wide like the price list, so no org_id
-- and no row-level security. An alias has no prices of its own and points at a priced
-- model that is not itself an alias (ModelAliases checks both).
create table model_aliases (
    alias       varchar(100)  primary key,
    model       varchar(100)  not null,
    created_at  timestamp with time zone  not null,
    created_by  varchar(320)  not null
);
create index model_aliases_model_idx on model_aliases (model);
