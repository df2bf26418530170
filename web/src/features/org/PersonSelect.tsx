import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { orgApi, orgKeys } from './api';
import { useDebouncedValue } from './useDebouncedValue';

/** Choose one person by searching the directory (used for the manager field). */
export function PersonSelect({
  id,
  value,
  onChange,
  initial,
  placeholder,
  excludeId,
}: {
  /** Set by Form.Item so its label points at this control. */
  id?: string;
  value?: number | null;
  onChange?: (value: number | null) => void;
  initial?: { id: number; name: string } | null;
  placeholder?: string;
  excludeId?: number;
}) {
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 250);
  const query = { q: q || undefined, limit: 20 };
  const people = useQuery({ queryKey: orgKeys.people(query), queryFn: () => orgApi.people(query) });
  const options = (people.data?.items ?? [])
    .filter((p) => p.id !== excludeId)
    .map((p) => ({ value: p.id, label: p.title ? `${p.name} · ${p.title}` : p.name }));
  if (initial && !options.some((o) => o.value === initial.id)) options.unshift({ value: initial.id, label: initial.name });
  return (
    <Select
      id={id}
      value={value ?? undefined}
      onChange={(v: number | undefined) => onChange?.(v ?? null)}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      options={options}
      loading={people.isFetching}
      allowClear
      placeholder={placeholder}
    />
  );
}
