import { ApartmentOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Collapse, Input, Space, Switch, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useIsMobile } from '../../shell/useIsMobile';
import { DepartmentTree } from './DepartmentTree';
import { PeopleList } from './PeopleList';
import { PersonCard } from './PersonCard';
import { useDebouncedValue } from './useDebouncedValue';
import { useDepartments } from './useDepartments';
import { usePeople } from './usePeople';
import './DirectoryPage.css';

export default function DirectoryPage() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState('');
  const [includeSub, setIncludeSub] = useState(true);
  const [treeOpen, setTreeOpen] = useState(false);
  const q = useDebouncedValue(search.trim(), 300);

  const departmentId = params.get('dept') ? Number(params.get('dept')) : null;
  const personId = params.get('person') ? Number(params.get('person')) : null;
  const setParam = (key: string, value: number | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, String(value));
    setParams(next);
  };

  const departments = useDepartments();
  // A search looks across everyone; otherwise list the chosen department (or everyone).
  const query = q
    ? { q, limit: 50 }
    : { department_id: departmentId ?? undefined, include_sub: includeSub, limit: 50 };
  const people = usePeople(query);
  const items = useMemo(() => people.data?.pages.flatMap((p) => p.items) ?? [], [people.data]);
  const selectedName = departments.data?.find((d) => d.id === departmentId)?.name;

  const tree = (
    <>
      <Button
        type={departmentId === null ? 'primary' : 'text'}
        ghost={departmentId === null}
        block
        style={{ textAlign: 'start', marginBottom: 8 }}
        onClick={() => {
          setParam('dept', null);
          setTreeOpen(false);
        }}
      >
        {t('org.everyone')}
      </Button>
      <DepartmentTree
        tree={departments.tree}
        loading={departments.isPending}
        selectedId={departmentId}
        onSelect={(id) => {
          setParam('dept', id);
          setSearch('');
          setTreeOpen(false);
        }}
      />
    </>
  );

  const heading = q ? t('org.searchResults', { q }) : (selectedName ?? t('org.everyone'));

  return (
    <div className={`directory${isMobile ? ' directory-mobile' : ''}`}>
      {isMobile ? (
        <Collapse
          activeKey={treeOpen ? ['tree'] : []}
          onChange={(keys) => setTreeOpen(keys.length > 0)}
          items={[
            {
              key: 'tree',
              label: (
                <Space>
                  <ApartmentOutlined />
                  {selectedName ?? t('org.departments')}
                </Space>
              ),
              children: tree,
            },
          ]}
          style={{ marginBottom: 8, background: '#fff' }}
        />
      ) : (
        <Card title={t('org.departments')} size="small" className="directory-tree">
          {tree}
        </Card>
      )}
      <Card size="small" className="directory-main">
        <Input
          allowClear
          size="large"
          prefix={<SearchOutlined />}
          placeholder={t('org.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label={t('org.searchPlaceholder')}
          data-testid="directory-search"
        />
        <div className="directory-bar">
          <Typography.Text strong ellipsis>
            {heading}
          </Typography.Text>
          {!q && departmentId !== null && (
            <label className="directory-sub">
              <Switch size="small" checked={includeSub} onChange={setIncludeSub} />
              <span>{t('org.includeSub')}</span>
            </label>
          )}
        </div>
        {people.isError ? (
          <Alert type="error" showIcon title={people.error.message} />
        ) : (
          <PeopleList
            people={items}
            loading={people.isPending}
            hasMore={!!people.hasNextPage}
            loadingMore={people.isFetchingNextPage}
            onLoadMore={() => void people.fetchNextPage()}
            onOpen={(id) => setParam('person', id)}
          />
        )}
      </Card>
      <PersonCard personId={personId} onClose={() => setParam('person', null)} />
    </div>
  );
}
