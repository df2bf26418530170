import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { orgApi, orgKeys } from '../org/api';
import { useDebouncedValue } from '../org/useDebouncedValue';

/** Choose several people by searching the directory. */
export function PeopleMultiSelect({
  id,
  value,
  onChange,
  excludeIds = [],
  placeholder,
}: {
  id?: string;
  value?: number[];
  onChange?: (value: number[]) => void;
  excludeIds?: number[];
  placeholder?: string;
}) {
  const [search, setSearch] = useState('');
  // Names of the people chosen so far, so their tags keep a label when the search changes.
  const [known, setKnown] = useState<Map<number, string>>(() => new Map());
  const q = useDebouncedValue(search.trim(), 250);
  const query = { q: q || undefined, limit: 20 };
  const people = useQuery({ queryKey: orgKeys.people(query), queryFn: () => orgApi.people(query) });
  const found = (people.data?.items ?? []).filter((p) => !excludeIds.includes(p.id));
  const options = found.map((p) => ({ value: p.id, label: p.title ? `${p.name} · ${p.title}` : p.name }));
  for (const v of value ?? []) {
    if (!options.some((o) => o.value === v)) options.push({ value: v, label: known.get(v) ?? String(v) });
  }
  return (
    <Select
      id={id}
      mode="multiple"
      value={value ?? []}
      onChange={(v: number[]) => {
        const next = new Map(known);
        for (const p of found) if (v.includes(p.id)) next.set(p.id, p.name);
        setKnown(next);
        onChange?.(v);
      }}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={options}
      loading={people.isFetching}
      placeholder={placeholder}
      style={{ width: '100%' }}
      data-testid="people-multi-select"
    />
  );
}
